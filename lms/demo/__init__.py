"""Demo data for `make run`, trying the reports and the benchmarks.

Not a domain package: it may import any of them (like lms/tasks.py), and none of them imports it, so production
code never depends on made-up people.
"""
