# mk/marts_experience.mk: the member-experience marts (experience_daily, digital_call_leakage, repeat_calls, top_opportunities, segment_experience) and the member_journey view (issue 5).
SQL_PARTS   += extension/sql/42_marts_experience.sql
REGRESS     += marts_experience
