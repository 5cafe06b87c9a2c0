/*
 * cm_csv_schema.c
 *    The column table of every source that costmodel-load csv loads; see
 *    cm_csv_schema.h.  Aliases are compared folded (cm_fold: lower case,
 *    letters and digits only), so "Claim_ID", "claim id" and "ClaimID" all
 *    match the column name claim_id itself; the alias lists hold the other
 *    names exports use ("Claim Number", "Claim_amnt", "DOS" ...).
 */
#include "cm_csv_schema.h"

#include <string.h>

/* A NULL-terminated list of aliases (a static compound literal). */
#define AL(...)		((const char *const[]) {__VA_ARGS__, NULL})

/* Column constructors, one per type. */
#define ID(n, fl, al) \
	{.name = n, .type = CMC_ID, .flags = fl, .aliases = al, .sql_type = "text"}
#define FK(n, fl, tbl, al) \
	{.name = n, .type = CMC_ID, .flags = fl, .aliases = al, .fk_table = tbl, .sql_type = "text"}
#define TXT(n, fl, al) \
	{.name = n, .type = CMC_TEXT, .flags = fl, .aliases = al, .sql_type = "text"}
#define INTR(n, fl, lo, hi, st, al) \
	{.name = n, .type = CMC_INT, .flags = fl, .aliases = al, .min = lo, .max = hi, \
	 .has_min = true, .has_max = true, .sql_type = st}
#define INTMIN(n, fl, lo, al) \
	{.name = n, .type = CMC_INT, .flags = fl, .aliases = al, .min = lo, .has_min = true, \
	 .sql_type = "integer"}
#define DEC2(n, fl, st, al) \
	{.name = n, .type = CMC_DEC2, .flags = fl, .aliases = al, .min = 0, .has_min = true, \
	 .sql_type = st}
#define DEC3(n, fl, lo, hi, st, al) \
	{.name = n, .type = CMC_DEC3, .flags = fl, .aliases = al, .min = lo, .max = hi, \
	 .has_min = true, .has_max = true, .sql_type = st}
#define BOOL(n, fl, al) \
	{.name = n, .type = CMC_BOOL, .flags = fl, .aliases = al, .sql_type = "boolean"}
#define TS(n, fl, al) \
	{.name = n, .type = CMC_TS, .flags = fl, .aliases = al, \
	 .sql_type = "timestamp with time zone"}
#define DATE(n, fl, al) \
	{.name = n, .type = CMC_DATE, .flags = fl, .aliases = al, .sql_type = "date"}
#define ENUM(n, fl, e, al) \
	{.name = n, .type = CMC_ENUM, .flags = fl, .aliases = al, .enum_id = e, .sql_type = "text"}
#define CODE(n, fl, c, al) \
	{.name = n, .type = CMC_CODE, .flags = fl, .aliases = al, .code = c, .sql_type = "text"}
#define JSON(n, fl, al) \
	{.name = n, .type = CMC_JSON, .flags = fl, .aliases = al, .sql_type = "jsonb"}

/* The provenance columns every source table ends with. */
#define SOURCE_FILE		TXT("source_file", CMC_PROVENANCE, NULL)
#define LOADED_AT		TS("loaded_at", CMC_PROVENANCE | CMC_REQUIRED, NULL)

#define KEY				(CMC_KEY | CMC_REQUIRED)
#define REQ				CMC_REQUIRED

/* The member reference of every member-level source. */
#define MEMBER_ID \
	ID("member_id", REQ, AL("member", "member number", "member no", "member nbr", \
							"mbr id", "mbr", "member key", "subscriber id", "patient id"))

static const cmc_column members_cols[] = {
	ID("member_id", KEY, AL("member", "member number", "member no", "member nbr", "mbr id",
							"mbr", "member key", "subscriber id", "patient id")),
	INTR("age", 0, 0, 120, "integer", AL("member age", "age years")),
	ENUM("gender", 0, CME_GENDER, AL("sex", "gender code")),
	ENUM("plan_type", 0, CME_PLAN_TYPE, AL("plan", "plan code", "product", "product type")),
	INTMIN("tenure_months", 0, 0, AL("tenure", "tenure mo", "tenure in months",
									 "months enrolled", "months of tenure")),
	ENUM("segment", 0, CME_SEGMENT, AL("member segment", "value segment", "segment name")),
	CODE("state", 0, CODE_STATE, AL("st", "state code", "member state")),
	CODE("zip_code", 0, CODE_ZIP5, AL("zip", "zipcode", "zip5", "postal code", "postcode")),
	DATE("join_date", 0, AL("joined", "join dt", "joined on", "member since",
							"enrollment date", "original effective date")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column calls_cols[] = {
	ID("call_id", KEY, AL("call", "call number", "call no", "call ref", "contact id",
						  "call key")),
	MEMBER_ID,
	TS("called_at", REQ, AL("call date", "call time", "call datetime", "call start",
							"call started", "call start time", "start time", "call ts")),
	TXT("call_topic", REQ, AL("topic", "call reason", "reason", "call category", "category",
							  "call type")),
	DEC2("handle_time_minutes", 0, "numeric(8,2)",
		 AL("handle time", "handle time min", "handle time mins", "aht", "aht minutes",
			"handle minutes", "duration minutes")),
	ENUM("sentiment", 0, CME_SENTIMENT, AL("sentiment label", "call sentiment")),
	DEC3("sentiment_score", 0, -1000, 1000, "numeric(4,3)",
		 AL("sentiment value", "score")),
	BOOL("transferred", 0, AL("was transferred", "transfer", "is transferred",
							  "transfer flag")),
	BOOL("resolved", 0, AL("is resolved", "resolved flag", "fcr", "first call resolution")),
	BOOL("source_is_repeat", 0, AL("is repeat", "repeat", "repeat call", "repeat flag",
								   "is repeat call")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column digital_cols[] = {
	ID("interaction_id", KEY, AL("interaction", "session id", "digital id",
								 "digital interaction id", "event id")),
	MEMBER_ID,
	TS("interacted_at", REQ, AL("interaction time", "interaction date", "event time",
								"session start", "timestamp", "occurred at")),
	TXT("interaction_type", REQ, AL("type", "action", "event type", "task")),
	ENUM("outcome", REQ, CME_DIGITAL_OUTCOME, AL("result", "status", "interaction outcome")),
	TXT("failure_reason", 0, AL("error", "error reason", "failure", "reason")),
	INTMIN("session_duration_seconds", 0, 0,
		   AL("session duration", "duration seconds", "session seconds", "duration sec",
			  "duration")),
	ENUM("channel", 0, CME_DIGITAL_CHANNEL, AL("platform", "device", "digital channel")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column surveys_cols[] = {
	ID("survey_id", KEY, AL("survey", "response id", "survey response id")),
	MEMBER_ID,
	TS("surveyed_at", REQ, AL("survey date", "response date", "submitted at",
							  "completed at", "survey time")),
	ENUM("survey_type", REQ, CME_SURVEY_TYPE, AL("type", "survey kind")),
	INTR("nps_score", 0, 0, 10, "smallint", AL("nps", "likelihood to recommend", "ltr")),
	INTR("csat_score", 0, 1, 5, "smallint", AL("csat", "satisfaction", "satisfaction score")),
	INTR("effort_score", 0, 1, 7, "smallint", AL("ces", "effort", "customer effort",
												 "customer effort score")),
	TXT("feedback_text", 0, AL("feedback", "comment", "comments", "verbatim", "free text")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column pharmacy_cols[] = {
	ID("rx_id", KEY, AL("rx", "rx number", "rx no", "prescription id", "fill id",
						"rx claim id")),
	MEMBER_ID,
	TS("filled_at", REQ, AL("fill date", "filled", "date filled", "dispensed at",
							"dispense date", "fill time")),
	TXT("drug_name", 0, AL("drug", "medication", "product name", "drug description")),
	DEC2("copay_amount", 0, "numeric(12,2)", AL("copay", "copay amt", "member copay",
												"copay amnt")),
	INTR("days_supply", 0, 1, 365, "integer", AL("days", "supply", "day supply",
												 "days of supply")),
	ENUM("pharmacy_type", 0, CME_PHARMACY_TYPE, AL("pharmacy", "pharmacy channel")),
	BOOL("denied", REQ, AL("is denied", "denied flag", "rejected")),
	TXT("denied_reason", 0, AL("denial reason", "deny reason", "reject reason")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column enrollments_cols[] = {
	ID("enrollment_id", KEY, AL("enrollment", "enrollment event id", "event id")),
	MEMBER_ID,
	TS("enrolled_at", REQ, AL("effective date", "effective at", "enrollment date",
							  "enrolled", "effective")),
	ENUM("plan_type", 0, CME_PLAN_TYPE, AL("plan", "plan code", "product")),
	DEC2("premium_amount", 0, "numeric(12,2)", AL("premium", "monthly premium",
												  "premium amt")),
	ENUM("change_type", 0, CME_CHANGE_TYPE, AL("type", "event type", "enrollment type")),
	TXT("change_reason", 0, AL("reason", "change reason code")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column advocates_cols[] = {
	ID("advocate_id", KEY, AL("advocate", "agent id", "staff id", "advocate number")),
	TXT("name", REQ, AL("advocate name", "full name", "display name")),
	TXT("team", 0, AL("team name", "unit")),
	INTMIN("capacity", REQ, 1, AL("max cases", "caseload", "case capacity", "max caseload")),
	TS("hired_at", 0, AL("hire date", "hired", "hired on", "start date")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column cases_cols[] = {
	ID("case_id", KEY, AL("case", "case number", "case no", "case ref")),
	ID("member_id", REQ, AL("member", "member number", "patient id", "patient",
							"mbr id", "subscriber id")),
	ENUM("case_type", REQ, CME_CASE_TYPE, AL("type", "category", "case category")),
	ENUM("urgency", 0, CME_URGENCY, AL("priority", "case priority")),
	ENUM("status", REQ, CME_CASE_STATUS, AL("case status", "current status")),
	TS("opened_at", REQ, AL("opened", "open date", "opened on", "created at", "created",
							"created date")),
	TS("resolved_at", 0, AL("resolved", "resolution date", "resolved on", "closed at")),
	FK("advocate_id", 0, "advocates", AL("advocate", "assigned to", "owner",
										 "assigned advocate")),
	TXT("intake_source", CMC_DERIVED, AL("intake", "intake channel")),
	TXT("barriers", CMC_DERIVED, NULL),
	INTMIN("barrier_count", CMC_DERIVED, 0, NULL),
	INTMIN("handoff_count", CMC_DERIVED, 0, AL("handoffs")),
	INTR("complexity", CMC_DERIVED, 1, 5, "smallint", NULL),
	TXT("submitted_documents", CMC_DERIVED, NULL),
	INTMIN("submitted_document_count", CMC_DERIVED, 0, NULL),
	TXT("missing_docs", CMC_DERIVED, AL("missing documents")),
	INTMIN("missing_doc_count", CMC_DERIVED, 0, NULL),
	TXT("support_flags", CMC_DERIVED, NULL),
	INTMIN("support_flag_count", CMC_DERIVED, 0, NULL),
	JSON("metadata", 0, AL("meta", "case metadata", "metadata json", "attributes")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column case_events_cols[] = {
	ID("event_id", KEY, AL("event", "case event id", "activity id")),
	FK("case_id", REQ, "cases", AL("case", "case number", "case no")),
	ENUM("event_type", REQ, CME_EVENT_TYPE, AL("type", "activity", "action")),
	TS("occurred_at", REQ, AL("event time", "event date", "timestamp", "occurred",
							  "event at")),
	TXT("actor", 0, AL("by", "performed by", "user", "actor id")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column case_interactions_cols[] = {
	ID("interaction_id", KEY, AL("interaction", "contact id", "case interaction id")),
	FK("case_id", REQ, "cases", AL("case", "case number", "case no")),
	ENUM("channel", 0, CME_CASE_CHANNEL, AL("medium", "contact channel", "contact method")),
	TS("occurred_at", REQ, AL("contact time", "interaction time", "timestamp", "started at",
							  "occurred")),
	DEC2("duration_minutes", 0, "numeric(8,2)", AL("duration", "minutes", "duration min",
												   "duration mins")),
	ENUM("direction", 0, CME_DIRECTION, AL("inbound outbound", "contact direction")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column case_feedback_cols[] = {
	FK("case_id", KEY, "cases", AL("case", "case number", "case no")),
	TS("submitted_at", REQ, AL("submitted", "feedback date", "response date",
							   "submitted on")),
	INTR("csat", REQ, 1, 5, "smallint", AL("csat score", "satisfaction", "rating")),
	TXT("comment", 0, AL("comments", "feedback", "verbatim", "feedback text")),
	SOURCE_FILE,
	LOADED_AT,
};

static const cmc_column claims_cols[] = {
	ID("claim_id", KEY, AL("claim number", "claim no", "claim nbr", "claim num", "claim ref",
						   "clm id", "clm no", "clm nbr", "claim", "claim key")),
	ID("member_id", REQ, AL("member", "member number", "member no", "member nbr", "mbr id",
							"mbr", "subscriber id", "patient id", "patient")),
	ID("provider_id", 0, AL("provider", "provider number", "provider no", "prov id",
							"billing provider", "billing provider id", "rendering provider",
							"rendering provider id")),
	TXT("payer", 0, AL("payer name", "payor", "payor name", "insurer", "carrier",
					   "plan name")),
	TXT("procedure_code", 0, AL("procedure", "proc code", "proc", "cpt", "cpt code",
								"hcpcs", "hcpcs code", "service code", "cpt hcpcs")),
	CODE("diagnosis_code", 0, CODE_ICD10, AL("diagnosis", "dx", "dx code", "diag code", "icd10",
											 "icd 10 code", "icd code",
											 "primary diagnosis", "primary dx")),
	DATE("service_date", 0, AL("date of service", "dos", "svc date", "service dt",
							   "from date", "service from date")),
	ENUM("claim_type", 0, CME_CLAIM_TYPE, AL("type", "claim category", "category")),
	DEC2("claim_amount", 0, "numeric(14,2)",
		 AL("claim amnt", "claim amt", "billed amount", "billed amt", "billed",
			"amount billed", "charge amount", "charges", "total charge", "total charges",
			"billed charges", "amount", "charge", "charge amt")),
	DEC2("paid_amount", 0, "numeric(14,2)",
		 AL("paid amnt", "paid amt", "paid", "amount paid", "payment amount", "plan paid",
			"paid total", "total paid", "payment")),
	ENUM("status", REQ, CME_CLAIM_STATUS, AL("claim status", "status code", "clm status",
											 "claim state")),
	TXT("denial_reason", 0, AL("denial code", "deny reason", "denial", "reason", "reason code",
							   "denial reason code")),
	TS("adjudicated_at", 0, AL("adjudication date", "adjudicated", "adjudicated date",
							   "adjudicated on", "adj date", "processed", "processed at",
							   "processed date", "decision date", "adjudication dt")),
	TXT("location", 0, AL("service location", "city state", "place")),
	CODE("place_of_service", 0, CODE_POS2, AL("pos", "pos code", "place of svc")),
	TXT("source_system", CMC_FILE_NAME, AL("system", "billing system", "source system name")),
	TXT("source_status", CMC_DERIVED, AL("original status", "raw status")),
	SOURCE_FILE,
	{.name = "source_line", .type = CMC_INT, .flags = CMC_PROVENANCE, .sql_type = "bigint"},
	LOADED_AT,
};

#define NCOLS(a) ((int) (sizeof(a) / sizeof((a)[0])))

const cmc_source cmc_sources[] = {
	{"members", "health-plan members (type 1; dim_member keeps versions)",
	 NCOLS(members_cols), members_cols, RULE_NONE},
	{"calls", "contact-centre calls", NCOLS(calls_cols), calls_cols, RULE_NONE},
	{"digital_interactions", "web and app self-service attempts",
	 NCOLS(digital_cols), digital_cols, RULE_DIGITAL},
	{"surveys", "survey responses", NCOLS(surveys_cols), surveys_cols, RULE_NONE},
	{"pharmacy_fills", "pharmacy fills and denied fill attempts",
	 NCOLS(pharmacy_cols), pharmacy_cols, RULE_PHARMACY},
	{"enrollments", "enrollments, renewals and plan changes",
	 NCOLS(enrollments_cols), enrollments_cols, RULE_NONE},
	{"advocates", "patient advocates", NCOLS(advocates_cols), advocates_cols, RULE_NONE},
	{"cases", "advocacy cases (metadata JSON parsed into columns)",
	 NCOLS(cases_cols), cases_cols, RULE_CASES},
	{"case_events", "case timeline events", NCOLS(case_events_cols), case_events_cols,
	 RULE_NONE},
	{"case_interactions", "contacts within a case",
	 NCOLS(case_interactions_cols), case_interactions_cols, RULE_NONE},
	{"case_feedback", "feedback on a case (one per case)",
	 NCOLS(case_feedback_cols), case_feedback_cols, RULE_NONE},
	{"claims", "claims from the experience extract and billing exports",
	 NCOLS(claims_cols), claims_cols, RULE_NONE, "adjudicated_at"},
};

const int	cmc_nsources = NCOLS(cmc_sources);

/* The source called name, or NULL. */
const cmc_source *
cmc_source_find(const char *name)
{
	for (int i = 0; i < cmc_nsources; i++)
		if (strcmp(cmc_sources[i].name, name) == 0)
			return &cmc_sources[i];
	return NULL;
}

/* Index of column name in s, or -1. */
int
cmc_column_find(const cmc_source *s, const char *name)
{
	for (int i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].name, name) == 0)
			return i;
	return -1;
}

/* Index of the key column of s (every source has one). */
int
cmc_key_column(const cmc_source *s)
{
	for (int i = 0; i < s->ncolumns; i++)
		if (s->columns[i].flags & CMC_KEY)
			return i;
	return 0;
}

/* A short name of a column's type for listings. */
const char *
cmc_type_name(const cmc_column *c)
{
	switch (c->type)
	{
		case CMC_TEXT:
			return "text";
		case CMC_ID:
			return "id";
		case CMC_INT:
			return "integer";
		case CMC_DEC2:
			return "amount";
		case CMC_DEC3:
			return "decimal";
		case CMC_BOOL:
			return "boolean";
		case CMC_TS:
			return "timestamp";
		case CMC_DATE:
			return "date";
		case CMC_ENUM:
			return "enum";
		case CMC_CODE:
			return "code";
		case CMC_JSON:
			return "json";
	}
	return "text";
}
