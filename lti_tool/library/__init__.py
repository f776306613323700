"""The course content library: operations between the web edge and the database."""
