# mk/sources.mk: member-experience, advocacy-case and claims sources, the
# dimensions and the settings (issue 3), and their generators.
GEN_OBJS    += loader/gen_common.o loader/gen_experience.o loader/gen_cases.o \
               loader/gen_claims.o
SQL_PARTS   += extension/sql/20_sources.sql extension/sql/25_dims.sql \
               extension/sql/26_settings.sql
REGRESS     += sources_schema settings dims_date dims_member
