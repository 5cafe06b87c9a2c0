# mk/loader6.mk: costmodel-load at the speed of the server, and safe under
# faults (issue 6): the fast JSON reader, binary COPY, the load ledger and
# its SQL part.  Listed last in mk/all.mk, so 12_ledger.sql is appended after
# every other part; it depends on nothing but the header.
LOAD_OBJS   += loader/json_tape.o loader/load_binary.o loader/load_ledger.o
SQL_PARTS   += extension/sql/12_ledger.sql
