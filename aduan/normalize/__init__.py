"""Raw message -> complaint: text cleanup, reporter identity, three levels of dedup."""
