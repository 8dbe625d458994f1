"""Special-group members: who care looks after, kept current from the registry's facts about people."""
