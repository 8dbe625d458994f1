"""Emergency plans (应急预案): templates of task checklists that an incident activates."""
