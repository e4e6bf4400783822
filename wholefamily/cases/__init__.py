"""Cases: a family on the programme, from identification or referral to closure (the "Do" of issue 7)."""
