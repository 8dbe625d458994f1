"""The public board: each grid's responsible person and work phone, the duty phone, who is on duty, notices."""
