/*
 * cm_enums.c
 *    The enumerations of the source tables and their known source
 *    spellings.  A spelling is compared folded (cm_fold: lower case, letters
 *    and digits only), so "In Progress", "in_progress" and "IN-PROGRESS" are
 *    one spelling; the lists below hold only what folding cannot reach
 *    (abbreviations, codes and synonyms).
 *
 * The canonical values must equal the CHECK lists of
 * extension/sql/20_sources.sql; the pg_regress test csv_schema compares them.
 */
#include "cm_enums.h"

#include <string.h>

/* A source spelling (already folded) and the index of its canonical value. */
typedef struct spelling
{
	const char *folded;
	int			value;
} spelling;

static const char *const gender_values[] = {"F", "M", "U", NULL};
static const spelling gender_spellings[] = {
	{"female", 0}, {"woman", 0}, {"w", 0},
	{"male", 1}, {"man", 1},
	{"unknown", 2}, {"other", 2}, {"x", 2}, {"o", 2}, {"notreported", 2},
	{"undisclosed", 2}, {"unspecified", 2}, {"declined", 2},
	{NULL, 0}
};

static const char *const plan_type_values[] = {"MAPD", "PPO", "HMO", "POS", "EPO", NULL};
static const spelling plan_type_spellings[] = {
	{"medicareadvantage", 0}, {"medicareadvantagepd", 0}, {"maprescriptiondrug", 0},
	{NULL, 0}
};

static const char *const segment_values[] = {
	"High Value", "Medium Value", "Low Value", "At Risk", "New", NULL
};
static const spelling segment_spellings[] = {
	{"high", 0}, {"hv", 0},
	{"medium", 1}, {"med", 1}, {"mid", 1}, {"midvalue", 1}, {"mv", 1},
	{"low", 2}, {"lv", 2},
	{"risk", 3},
	{"newmember", 4},
	{NULL, 0}
};

static const char *const sentiment_values[] = {"positive", "neutral", "negative", NULL};
static const spelling sentiment_spellings[] = {
	{"pos", 0}, {"neu", 1}, {"neg", 2},
	{NULL, 0}
};

static const char *const outcome_values[] = {"success", "failure", "abandoned", NULL};
static const spelling outcome_spellings[] = {
	{"succeeded", 0}, {"successful", 0}, {"ok", 0}, {"completed", 0}, {"complete", 0},
	{"done", 0},
	{"fail", 1}, {"failed", 1}, {"error", 1}, {"errored", 1},
	{"abandon", 2}, {"dropped", 2}, {"dropoff", 2}, {"gaveup", 2}, {"cancelled", 2},
	{"canceled", 2},
	{NULL, 0}
};

static const char *const digital_channel_values[] = {"web", "app", NULL};
static const spelling digital_channel_spellings[] = {
	{"website", 0}, {"portal", 0}, {"browser", 0}, {"online", 0}, {"desktop", 0},
	{"mobile", 1}, {"mobileapp", 1}, {"ios", 1}, {"android", 1},
	{NULL, 0}
};

static const char *const survey_type_values[] = {
	"post_call", "post_digital", "periodic", "annual", NULL
};
static const spelling survey_type_spellings[] = {
	{"call", 0}, {"aftercall", 0}, {"postcallsurvey", 0},
	{"digital", 1}, {"afterdigital", 1}, {"postweb", 1}, {"postapp", 1},
	{"pulse", 2}, {"quarterly", 2}, {"relationship", 2},
	{"yearly", 3},
	{NULL, 0}
};

static const char *const pharmacy_type_values[] = {"retail", "mail", "specialty", NULL};
static const spelling pharmacy_type_spellings[] = {
	{"mailorder", 1}, {"homedelivery", 1},
	{"speciality", 2}, {"spec", 2},
	{NULL, 0}
};

static const char *const change_type_values[] = {"new", "renewal", "change", NULL};
static const spelling change_type_spellings[] = {
	{"newenrollment", 0}, {"enroll", 0}, {"enrollment", 0},
	{"renew", 1}, {"renewed", 1}, {"reenrollment", 1},
	{"planchange", 2}, {"changed", 2}, {"switch", 2},
	{NULL, 0}
};

static const char *const case_type_values[] = {
	"billing_dispute", "prior_auth", "provider_search", "care_coordination",
	"claim_denial", NULL
};
static const spelling case_type_spellings[] = {
	{"billing", 0}, {"billingdisputes", 0},
	{"priorauthorization", 1}, {"preauth", 1}, {"pa", 1},
	{"findprovider", 2}, {"providerlookup", 2},
	{"carecoord", 3}, {"coordination", 3},
	{"denial", 4}, {"claimdenied", 4}, {"denialappeal", 4},
	{NULL, 0}
};

static const char *const urgency_values[] = {"low", "medium", "high", "critical", NULL};
static const spelling urgency_spellings[] = {
	{"l", 0}, {"med", 1}, {"m", 1}, {"normal", 1}, {"h", 2}, {"urgent", 3}, {"c", 3},
	{NULL, 0}
};

static const char *const case_status_values[] = {
	"open", "in_progress", "pending_docs", "escalated", "resolved", "closed", NULL
};
static const spelling case_status_spellings[] = {
	{"new", 0}, {"opened", 0},
	{"working", 1}, {"active", 1}, {"inprocess", 1}, {"wip", 1},
	{"pending", 2}, {"pendingdocuments", 2}, {"awaitingdocs", 2},
	{"awaitingdocuments", 2}, 
	{"escalate", 3},
	{"done", 4}, {"solved", 4},
	{"close", 5},
	{NULL, 0}
};

static const char *const event_type_values[] = {
	"opened", "assigned", "first_response", "docs_requested", "docs_received",
	"provider_contacted", "insurer_contacted", "escalated", "resolved", "reopened", NULL
};
static const spelling event_type_spellings[] = {
	{"open", 0}, {"created", 0},
	{"assign", 1},
	{"firstcontact", 2},
	{"documentsrequested", 3}, {"documentsreceived", 4},
	{"payercontacted", 6},
	{"reopen", 9},
	{NULL, 0}
};

static const char *const case_channel_values[] = {
	"phone", "email", "chat", "portal", "sms", "in_person", NULL
};
static const spelling case_channel_spellings[] = {
	{"call", 0}, {"telephone", 0}, {"voice", 0},
	{"mail", 1}, {"emailmessage", 1},
	{"webchat", 2}, {"livechat", 2},
	{"web", 3}, {"onlineportal", 3},
	{"text", 4}, {"textmessage", 4},
	{"inperson", 5}, {"facetoface", 5}, {"visit", 5},
	{NULL, 0}
};

static const char *const direction_values[] = {"inbound", "outbound", NULL};
static const spelling direction_spellings[] = {
	{"in", 0}, {"incoming", 0}, {"i", 0},
	{"out", 1}, {"outgoing", 1}, {"o", 1},
	{NULL, 0}
};

static const char *const claim_type_values[] = {"medical", "pharmacy", "preventive", NULL};
static const spelling claim_type_spellings[] = {
	{"m", 0}, {"med", 0}, {"professional", 0}, {"institutional", 0},
	{"rx", 1}, {"drug", 1}, {"pharm", 1},
	{"pv", 2}, {"prev", 2}, {"preventative", 2}, {"wellness", 2},
	{NULL, 0}
};

static const char *const claim_status_values[] = {
	"submitted", "pending", "approved", "paid", "partially_paid", "denied",
	"rejected", "adjusted", "voided", NULL
};
static const spelling claim_status_spellings[] = {
	{"s", 0}, {"sub", 0}, {"submit", 0}, {"received", 0}, {"new", 0},
	{"billed", 0},
	{"p", 1}, {"pe", 1}, {"pend", 1}, {"pnd", 1}, {"inprocess", 1}, {"inreview", 1},
	{"underreview", 1}, {"hold", 1}, {"onhold", 1},
	{"a", 2}, {"ap", 2}, {"app", 2}, {"appr", 2}, {"approve", 2}, {"accepted", 2},
	{"allowed", 2},
	{"pd", 3}, {"pay", 3}, {"paidinfull", 3}, {"fullypaid", 3},
	{"pp", 4}, {"partial", 4}, {"partpaid", 4}, 
	{"partialpayment", 4}, {"paidpartial", 4},
	{"d", 5}, {"dn", 5}, {"den", 5}, {"deny", 5},
	{"r", 6}, {"rj", 6}, {"rej", 6}, {"reject", 6},
	{"aj", 7}, {"adj", 7}, {"adjust", 7}, {"adjustment", 7},
	{"v", 8}, {"void", 8}, {"vd", 8}, {"cancelled", 8}, {"canceled", 8},
	{"reversed", 8},
	{NULL, 0}
};

/* Name, values and spellings of every enumeration, in cm_enum_id order. */
static const spelling *const all_spellings[CME_NENUMS] = {
	[CME_GENDER] = gender_spellings,
	[CME_PLAN_TYPE] = plan_type_spellings,
	[CME_SEGMENT] = segment_spellings,
	[CME_SENTIMENT] = sentiment_spellings,
	[CME_DIGITAL_OUTCOME] = outcome_spellings,
	[CME_DIGITAL_CHANNEL] = digital_channel_spellings,
	[CME_SURVEY_TYPE] = survey_type_spellings,
	[CME_PHARMACY_TYPE] = pharmacy_type_spellings,
	[CME_CHANGE_TYPE] = change_type_spellings,
	[CME_CASE_TYPE] = case_type_spellings,
	[CME_URGENCY] = urgency_spellings,
	[CME_CASE_STATUS] = case_status_spellings,
	[CME_EVENT_TYPE] = event_type_spellings,
	[CME_CASE_CHANNEL] = case_channel_spellings,
	[CME_DIRECTION] = direction_spellings,
	[CME_CLAIM_TYPE] = claim_type_spellings,
	[CME_CLAIM_STATUS] = claim_status_spellings,
};

const cm_enum_def cm_enums[CME_NENUMS] = {
	[CME_GENDER] = {"gender", gender_values},
	[CME_PLAN_TYPE] = {"plan_type", plan_type_values},
	[CME_SEGMENT] = {"segment", segment_values},
	[CME_SENTIMENT] = {"sentiment", sentiment_values},
	[CME_DIGITAL_OUTCOME] = {"digital_outcome", outcome_values},
	[CME_DIGITAL_CHANNEL] = {"digital_channel", digital_channel_values},
	[CME_SURVEY_TYPE] = {"survey_type", survey_type_values},
	[CME_PHARMACY_TYPE] = {"pharmacy_type", pharmacy_type_values},
	[CME_CHANGE_TYPE] = {"change_type", change_type_values},
	[CME_CASE_TYPE] = {"case_type", case_type_values},
	[CME_URGENCY] = {"urgency", urgency_values},
	[CME_CASE_STATUS] = {"case_status", case_status_values},
	[CME_EVENT_TYPE] = {"event_type", event_type_values},
	[CME_CASE_CHANNEL] = {"case_channel", case_channel_values},
	[CME_DIRECTION] = {"direction", direction_values},
	[CME_CLAIM_TYPE] = {"claim_type", claim_type_values},
	[CME_CLAIM_STATUS] = {"claim_status", claim_status_values},
};

/* Fold s/len for comparison; see cm_enums.h. */
size_t
cm_fold(const char *s, size_t len, char *out, size_t outsize)
{
	size_t		j = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char) (c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80))
			continue;
		if (j + 1 >= outsize)
			return (size_t) -1;
		out[j++] = (char) c;
	}
	if (outsize > 0)
		out[j] = '\0';
	return j;
}

/* The canonical value of s/len in enumeration e, or NULL. */
const char *
cm_enum_canonical(cm_enum_id e, const char *s, size_t len)
{
	char		in[64];
	char		canon[64];
	const cm_enum_def *def;
	const spelling *sp;

	if ((int) e < 0 || e >= CME_NENUMS)
		return NULL;
	if (cm_fold(s, len, in, sizeof(in)) == (size_t) -1 || in[0] == '\0')
		return NULL;
	def = &cm_enums[e];
	for (int i = 0; def->values[i]; i++)
	{
		cm_fold(def->values[i], strlen(def->values[i]), canon, sizeof(canon));
		if (strcmp(in, canon) == 0)
			return def->values[i];
	}
	for (sp = all_spellings[e]; sp && sp->folded; sp++)
		if (strcmp(in, sp->folded) == 0)
			return def->values[sp->value];
	return NULL;
}

/* The enumeration called name, or -1. */
int
cm_enum_find(const char *name)
{
	for (int i = 0; i < CME_NENUMS; i++)
		if (strcmp(cm_enums[i].name, name) == 0)
			return i;
	return -1;
}
