"""Care subjects: special-group members and people isolated at home, who may need help delivered."""
