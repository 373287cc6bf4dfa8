"""The rez-faithful solver (to come)."""
