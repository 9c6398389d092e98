"""LTI 1.3 Advantage and LTI 1.1 tool: launches, deep linking, grades, rosters."""
