"""A tenant's object records: what input may write (``writable``), written in bulk
(``bulk``) and queried (``query``); the objects themselves are declared in ``catalog``."""
