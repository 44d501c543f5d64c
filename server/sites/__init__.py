"""Counties, sites (安置点) and departments."""
