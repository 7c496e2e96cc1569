"""Phone dispatch: a PBX over AMI and analog lines through an AT modem."""
