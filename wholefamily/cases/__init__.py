"""Cases: a family on the programme, from identification or referral to closure (the "Do" of the commissioning
cycle; ADR 0006)."""
