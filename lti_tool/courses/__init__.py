"""Core course services: activities, rosters, LMS groups and grade passback."""
