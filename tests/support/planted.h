/*
 * PII planted in every field of a share's view a recipient can see (SPEC
 * §4 "Redaction covers every field a recipient can see"), for the tests
 * of the view and of each renderer.  Each field carries its own e-mail
 * address (planted_fields names them), and most a card number and a
 * phone, so a test can say both "none of it shows" under redaction and
 * "every field shows its own" without it: the second cannot pass by
 * dropping fields.  A citation also carries a field the platform may send
 * and the view must never copy; message m-3 is redacted whole, so its
 * name and citation never show.  Include after <cmocka.h>, <jansson.h>
 * and "support/unit.h".
 */
#ifndef GL_TEST_PLANTED_H
#define GL_TEST_PLANTED_H

#include "sharing/transcript.h"

#define PLANT_CARD  "4111 1111 1111 1111"
#define PLANT_PHONE "+1 415 555 0134"
#define PLANT_EXTRA "internal-only-field"
#define PLANT_WHOLE "piiwhole@example.org"
#define PLANT_PII   " " PLANT_CARD " " PLANT_PHONE

/* Each visible field with the address planted in it. */
struct planted_field {
	const char *field, *mail;
};

static const struct planted_field planted_fields[] = {
	{ "message text", "piitext@example.org" },
	{ "contact's sender_name", "piicname@example.org" },
	{ "agent's sender_name", "piianame@example.org" },
	{ "citation title", "piictitle@example.org" },
	{ "citation url", "piicurl@example.org" },
	{ "contact.id", "piicid@example.org" },
	{ "contact.name", "piicnm@example.org" },
	{ "contact.email", "piicmail@example.org" },
	{ "signal tag", "piitag@example.org" },
	{ "context reason", "piireason@example.org" },
	{ "context summary", "piisummary@example.org" },
	{ "context action", "piiaction@example.org" },
	{ "context ai_attempts", "piitried@example.org" },
	{ "review tag", "piirtag@example.org" },
	{ "note text", "piinote@example.org" },
	{ "note author", "piiauthor@example.org" },
};

static const char planted_share[] =
	"{'share_id':'s-p','audience':'team','permission':'comment',"
	"'min_role':'viewer','expires_at':null,"
	"'include':{'contact_identifier':true,'signal_tags':true,"
	"'internal_notes':false,'source_citations':true},"
	"'redact':{'pii':false,'message_ids':['m-3'],'terms':[]},"
	"'context':{'reason':'why piireason@example.org" PLANT_PII "',"
	"'summary':'sum piisummary@example.org" PLANT_PII "',"
	"'action':'act piiaction@example.org" PLANT_PII "',"
	"'priority':'high','ai_attempts':['tried piitried@example.org'],"
	"'focus':{'from_seq':1,'to_seq':1}},"
	"'snapshot_seq':null,'review_tags':['rt piirtag@example.org']}";

static const char planted_conv[] =
	"{'conversation_id':'c-p','status':'open','channel':'chat',"
	"'contact':{'id':'piicid@example.org','name':'Ana piicnm@example.org"
	" " PLANT_CARD "','email':'piicmail@example.org',"
	"'phone':'" PLANT_PHONE "'},"
	"'tags':['tag piitag@example.org'],"
	"'messages':[{'message_id':'m-1','seq':1,'sender':'contact',"
	"'sender_name':'Ana piicname@example.org" PLANT_PII "',"
	"'text':'hello piitext@example.org" PLANT_PII "',"
	"'sent_at':'2026-11-20T10:00:00Z'},"
	"{'message_id':'m-2','seq':2,'sender':'agent',"
	"'sender_name':'Bo piianame@example.org" PLANT_PII "',"
	"'text':'see this','sent_at':'2026-11-20T10:01:00Z',"
	"'citations':[{'title':'KB piictitle@example.org" PLANT_PII "',"
	"'url':'https://kb.example.com/a?u=piicurl@example.org',"
	"'score':'" PLANT_EXTRA "'}]},"
	"{'message_id':'m-3','seq':3,'sender':'agent',"
	"'sender_name':'Cy " PLANT_WHOLE "','text':'gone " PLANT_WHOLE "',"
	"'sent_at':'2026-11-20T10:02:00Z',"
	"'citations':[{'title':'T " PLANT_WHOLE "',"
	"'url':'https://kb.example.com/" PLANT_WHOLE "'}]}]}";

static const char planted_notes[] =
	"[{'note_id':'n-1','author':'piiauthor@example.org',"
	"'message_id':'m-2','text':'note piinote@example.org" PLANT_PII "',"
	"'created_at':'2026-11-20T10:05:00Z'}]";

/*
 * The view of the planted conversation through a share of audience
 * ("team" or "external") with redact.pii set to pii.  A new reference, or
 * the test fails.
 */
static inline json_t *planted_view(const char *audience, int pii)
{
	json_t *share = unit_json(planted_share), *conv, *notes, *v;
	char err[256] = "";

	json_object_set_new(share, "audience", json_string(audience));
	json_object_set_new(json_object_get(share, "redact"), "pii",
			    json_boolean(pii));
	conv = unit_json(planted_conv);
	notes = unit_json(planted_notes);
	v = transcript_view(share, conv, notes, NULL, err, sizeof(err));
	if (v == NULL)
		fail_msg("transcript_view failed: %s", err);
	json_decref(share);
	json_decref(conv);
	json_decref(notes);
	return v;
}

/* Nothing planted is in text (a page, an export, a dump of the view). */
static inline void planted_assert_absent(const char *text)
{
	size_t i;

	assert_non_null(text);
	for (i = 0; i < ARRAY_LEN(planted_fields); i++) {
		case_note("absent: %s", planted_fields[i].field);
		assert_not_contains(text, planted_fields[i].mail);
	}
	assert_not_contains(text, "example.org");
	assert_not_contains(text, "4111");
	assert_not_contains(text, "555 0134");
	assert_not_contains(text, PLANT_EXTRA);
	assert_not_contains(text, PLANT_WHOLE);
}

/*
 * Each field's own address is in text, except those named in skip (a
 * NULL-terminated list of planted_fields[].field a renderer does not
 * show); what a message redacted whole held and a citation's extra field
 * still are not.
 */
static inline void planted_assert_present(const char *text,
					  const char *const *skip)
{
	const char *const *s;
	size_t i;
	int skipped;

	assert_non_null(text);
	for (i = 0; i < ARRAY_LEN(planted_fields); i++) {
		skipped = 0;
		for (s = skip; s != NULL && *s != NULL; s++)
			skipped |= strcmp(*s, planted_fields[i].field) == 0;
		if (skipped)
			continue;
		case_note("present: %s", planted_fields[i].field);
		assert_contains(text, planted_fields[i].mail);
	}
	assert_contains(text, PLANT_CARD);
	assert_contains(text, PLANT_PHONE);
	assert_not_contains(text, PLANT_EXTRA);
	assert_not_contains(text, PLANT_WHOLE);
}

#endif
