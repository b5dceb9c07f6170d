"""Companies (SPEC §4b Company, the Company data API): fields, storage, write rules."""
