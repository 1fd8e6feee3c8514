/*
 * cmd.h - the subcommands of `touchbase`, one file each (cmd_*.c).
 *
 * Each gets the configuration path (already resolved: -c, then
 * $TOUCHBASE_CONFIG, then the default) and its own argv (argv[0] is the
 * subcommand's name; it parses its options with getopt_long).  It returns
 * the exit status: 0 success, 1 a user-facing error, 2 a usage error.
 * The current time is read once, by the command, with time(NULL).
 */
#ifndef TOUCHBASE_CMD_H
#define TOUCHBASE_CMD_H

int	cmd_check(const char *config, int argc, char **argv);
int	cmd_preview(const char *config, int argc, char **argv);
int	cmd_render(const char *config, int argc, char **argv);
int	cmd_log(const char *config, int argc, char **argv);
int	cmd_show(const char *config, int argc, char **argv);
int	cmd_touch(const char *config, int argc, char **argv);
int	cmd_optout(const char *config, int argc, char **argv);
int	cmd_test_mail(const char *config, int argc, char **argv);

/* check's whole work, shared with `touchbased -t`: prints every problem
 * as FILE:LINE: message to stderr, a summary to stdout; returns 0 or 1. */
int	cmd_check_run(const char *config);

/* Shared by the commands: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" in the
 * sender's time zone (tz) to an instant; -1 with a message on stderr. */
struct tz;
int	cmd_parse_when(const char *opt, const char *s, const struct tz *tz,
	    long long *out);

#endif
