/*
 * bench_libconfig.c - the peer of the book benchmarks: libconfig alone
 * parsing a clients.conf into its tree, as touchbase's book loader does
 * first.  Prints the seconds it took; run it under /usr/bin/time -v for
 * its peak memory.
 *
 *	bench_libconfig FILE
 */
#include <stdio.h>
#include <time.h>

#include <libconfig.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	config_t cf;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_libconfig FILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	config_init(&cf);
	if (config_read_file(&cf, argv[1]) != CONFIG_TRUE) {
		fprintf(stderr, "%s:%d: %s\n", argv[1], config_error_line(&cf),
		    config_error_text(&cf));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	config_destroy(&cf);
	return 0;
}
