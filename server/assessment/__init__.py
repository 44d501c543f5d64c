"""The annual assessment (年度考核): indicators per county, a documented scoring table, the ranking."""
