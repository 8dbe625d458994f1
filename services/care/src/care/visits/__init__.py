"""Care visits: due by each group's cadence, recorded with their outcome, overdue when nobody went."""
