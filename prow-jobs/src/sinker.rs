//! sinker: Prow's garbage collector.
//! Deletes old ProwJobs and the executor runs nobody needs any more.
