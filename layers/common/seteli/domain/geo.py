"""Where places may be: coordinates inside Finland (WGS84), with a margin for the borders and
the Åland islands. A light module so that models of providers need not import the tenant schema."""

LAT_RANGE = (59.0, 70.5)
LON_RANGE = (19.0, 31.6)
