-- costmodel install script.  The Makefile builds it from the parts in
-- extension/sql/, in file-name order: edit the parts, not the built file.

\echo Use "CREATE EXTENSION costmodel" to load this file. \quit
