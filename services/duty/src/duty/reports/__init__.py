"""The daily report (信息报送): counts per community and day, kept from the events of every service, rolled
up along the division tree, published at a set time and pushed to the provincial platform."""
