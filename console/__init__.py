"""The web console's read model: overviews the pages need that no domain answers alone."""
