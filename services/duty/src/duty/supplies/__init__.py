"""Emergency supplies (应急物资) per community and venue: stock by lot, minimum levels and expiry dates."""
