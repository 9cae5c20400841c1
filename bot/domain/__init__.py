"""Pure rules with no I/O: NIK, birth dates, eligibility, slot planning."""
