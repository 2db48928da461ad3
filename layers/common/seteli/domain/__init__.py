"""Domain types: value objects (money, quantities, units, periods) and models."""
