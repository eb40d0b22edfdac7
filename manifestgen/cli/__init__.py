"""Command line: parse flags into frozen options, make one library call, report, exit."""
