"""A person registered in a community: documents, key-population episodes, special-group flags."""
