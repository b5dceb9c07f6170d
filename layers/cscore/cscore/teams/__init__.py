"""Company Teams (SPEC §4): the Company Team object's APIs."""
