"""Cross-cutting building blocks: configuration, time, identifiers, AWS clients."""
