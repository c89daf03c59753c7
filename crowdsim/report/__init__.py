"""Reports: self-contained HTML files made from results, for people to read in a browser."""
