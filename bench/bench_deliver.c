/*
 * bench_deliver.c - sends one message N times through deliver_send() on
 * one SMTP connection and prints the rate.  Driven by bench_deliver.sh.
 *
 *	bench_deliver PORT COUNT MESSAGE-FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deliver.h"
#include "log.h"
#include "settings.h"

int
main(int argc, char **argv)
{
	struct settings s;
	struct deliverer *d;
	struct deliver_reply r = { 0, NULL };
	struct timespec t0, t1;
	const char *rcpts[] = { "anna@example.net" };
	char *err = NULL, *msg;
	size_t len;
	long n, i, ok = 0;
	FILE *fp;
	double secs;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_deliver PORT COUNT FILE\n");
		return 2;
	}
	log_init("bench_deliver", 0);
	n = atol(argv[2]);
	if ((fp = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	msg = malloc(1 << 20);
	len = fread(msg, 1, (1 << 20) - 1, fp);
	fclose(fp);

	memset(&s, 0, sizeof(s));
	s.sender_address = "hallo@lindgruen.example";
	s.delivery = DELIVERY_SMTP;
	s.smtp_host = "127.0.0.1";
	s.smtp_port = atoi(argv[1]);
	s.tls = TLS_NONE;
	s.timeout = 30;
	if ((d = deliver_new(&s, &err)) == NULL) {
		fprintf(stderr, "bench_deliver: %s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if (deliver_send(d, s.sender_address, rcpts, 1, msg, len,
		    NULL, &r) == DELIVER_OK)
			ok++;
		else
			fprintf(stderr, "bench_deliver: message %ld: %s\n", i,
			    r.text);
		deliver_reply_clear(&r);
	}
	deliver_free(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* seconds and messages accepted, for the script */
	printf("%.6f %ld\n", secs, ok);
	free(msg);
	return ok == n ? 0 : 1;
}
