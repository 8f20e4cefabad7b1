//! horologium: starts periodic ProwJobs when they are due.
//! Intervals, minimum intervals and cron schedules, as upstream.
