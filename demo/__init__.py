"""Demo and benchmark data: the small demo city (``seed_demo``) and the city-scale data set
(``seed_demo --scale city``). No product module imports this app."""
