# mk/sources.mk: member-experience, advocacy-case and claims sources, the
# dimensions and the settings (issue 3), and their generators.
SQL_PARTS   += extension/sql/20_sources.sql extension/sql/25_dims.sql \
               extension/sql/26_settings.sql
