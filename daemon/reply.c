/*
 * reply.c - the classification of an SMTP reply code.
 */
#include "reply.h"

enum deliver_result
reply_classify(int code)
{
	if (code >= 200 && code < 300)
		return DELIVER_OK;
	if (code >= 500 && code < 600)
		return DELIVER_PERMFAIL;
	return DELIVER_TEMPFAIL;
}
