"""The division tree: province, city and county from the civil-affairs list; townships and communities
loaded by operators from a CSV or added through the API."""
