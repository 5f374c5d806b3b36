package io.ampd.controller;

import io.ampd.controller.http.ApiException;
import io.ampd.controller.http.Request;
import io.ampd.controller.http.Response;
import io.ampd.controller.http.Router;
import io.ampd.controller.http.Routes;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.Job;
import io.ampd.metadb.JobAdmin;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.JobStatus;
import io.ampd.metadb.ProgressRepository;
import io.ampd.metadb.TableProgress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * {@code /jobs}: list, show, stop and delete jobs; their events and extraction progress.
 *
 * <ul>
 *   <li>{@code GET /jobs?status=active|all|S,S…&limit=N&last_job_id=I} (Amp's): newest first, at
 *       most N (default 50, at most 1000), the unfinished ones unless {@code status} says
 *       otherwise; {@code {"jobs": […], "next_cursor": id of the last one}}, which as {@code
 *       last_job_id} gives the next page
 *   <li>{@code GET /jobs/{id}}, {@code DELETE /jobs/{id}} (204; 409 unless COMPLETED, STOPPED or
 *       FATAL)
 *   <li>{@code DELETE /jobs?status=terminal|completed|stopped|error} (Amp's): 204, every finished
 *       job of that kind deleted ({@code error}: FATAL, the jobs that failed for good; a job in
 *       ERROR will be retried and is never deleted)
 *   <li>{@code PUT /jobs/{id}/stop}: 202 when its worker was asked to stop it, 200 when it stopped
 *       at once or a stop was already under way, 409 when it had finished
 *   <li>{@code PUT /jobs/{id}/resume} (also {@code POST}): a STOPPED or ERROR job is SCHEDULED
 *       again and continues from its recorded progress; 200 with the job (also when it is already
 *       scheduled or running), 409 when it is stopping, completed or FATAL, or when another job of
 *       its dataset version is active
 *   <li>{@code GET /jobs/{id}/events}
 *   <li>{@code GET /jobs/{id}/progress} (Amp's): per table, committed and live progress ({@link
 *       ProgressViews}); {@code GET /jobs/{id}} carries the same under {@code progress}
 * </ul>
 */
public final class JobsRoutes implements Routes {
  /** Amp's page size. */
  static final int DEFAULT_LIMIT = 50;

  static final int MAX_LIMIT = 1000;

  /** Amp's codes (its jobs handlers); {@code JOB_CONFLICT} also for a refused stop or resume. */
  static final String JOB_CONFLICT = "JOB_CONFLICT";

  static final String INVALID_QUERY_PARAM = "INVALID_QUERY_PARAM";

  private final JobQueries jobs;
  private final JobAdmin admin;
  private final FileRepository files;
  private final ProgressRepository progress;
  private final Duration workerTimeout;

  public JobsRoutes(
      JobQueries jobs,
      JobAdmin admin,
      FileRepository files,
      ProgressRepository progress,
      Duration workerTimeout) {
    this.jobs = jobs;
    this.admin = admin;
    this.files = files;
    this.progress = progress;
    this.workerTimeout = workerTimeout;
  }

  public JobsRoutes(DataSource dataSource, Duration workerTimeout) {
    this(
        new JobQueries(dataSource),
        new JobAdmin(dataSource),
        new FileRepository(dataSource),
        new ProgressRepository(dataSource),
        workerTimeout);
  }

  @Override
  public void register(Router router) {
    router
        .get("/jobs", this::list)
        .delete("/jobs", this::deleteByStatus)
        .get("/jobs/{id}", this::show)
        .delete("/jobs/{id}", this::delete)
        .put("/jobs/{id}/stop", this::stop)
        .put("/jobs/{id}/resume", this::resume)
        .post("/jobs/{id}/resume", this::resume)
        .get("/jobs/{id}/events", this::events)
        .get("/jobs/{id}/progress", this::progress);
  }

  /**
   * Amp's {@code GET /jobs} ({@code jobs/get_all.rs}): {@code status} is {@code active} (the
   * default: jobs not finished), {@code all}, or statuses separated by commas, in any case; {@code
   * last_job_id} continues after the previous page's {@code next_cursor}.
   */
  private Response list(Request r) {
    Set<JobStatus> statuses = r.query("status").map(JobsRoutes::statuses).orElse(JobStatus.ACTIVE);
    int limit = r.query("limit").map(JobsRoutes::limit).orElse(DEFAULT_LIMIT);
    OptionalLong before =
        r.query("last_job_id").map(JobsRoutes::cursor).orElse(OptionalLong.empty());
    List<Job> page = jobs.list(statuses, limit, before);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("jobs", Views.jobs(page, jobs));
    out.put("next_cursor", page.isEmpty() ? null : page.get(page.size() - 1).id());
    return Response.ok(out);
  }

  private static Set<JobStatus> statuses(String raw) {
    if (raw.equalsIgnoreCase("active")) {
      return JobStatus.ACTIVE;
    }
    if (raw.equalsIgnoreCase("all")) {
      return Set.of();
    }
    Set<JobStatus> out = java.util.EnumSet.noneOf(JobStatus.class);
    for (String one : raw.split(",")) {
      out.add(status(one.trim().toUpperCase(Locale.ROOT)));
    }
    return out;
  }

  private static OptionalLong cursor(String raw) {
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return OptionalLong.of(id);
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        "INVALID_QUERY_PARAMETERS", "last_job_id must be a positive integer, got '" + raw + "'");
  }

  /** Amp's filters of {@code DELETE /jobs?status=}: finished jobs only. */
  private static final Map<String, Set<JobStatus>> DELETE_FILTERS =
      Map.of(
          "terminal", JobStatus.TERMINAL,
          "completed", Set.of(JobStatus.COMPLETED),
          "stopped", Set.of(JobStatus.STOPPED),
          "error", Set.of(JobStatus.FATAL));

  private Response deleteByStatus(Request r) {
    String raw =
        r.query("status")
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        INVALID_QUERY_PARAM,
                        "status is required: one of terminal, completed, stopped, error"));
    Set<JobStatus> statuses = DELETE_FILTERS.get(raw.toLowerCase(Locale.ROOT));
    if (statuses == null) {
      throw ApiException.badRequest(
          INVALID_QUERY_PARAM,
          "unknown status filter '" + raw + "'; one of terminal, completed, stopped, error");
    }
    admin.deleteByStatus(statuses);
    return Response.noContent();
  }

  private Response delete(Request r) {
    long id = id(r);
    return switch (admin.delete(id)) {
      case DELETED -> Response.noContent();
      case NOT_FOUND -> throw notFound(id);
      case NOT_FINISHED ->
          throw ApiException.conflict(
              JOB_CONFLICT,
              "job "
                  + id
                  + " is "
                  + jobs.find(id).map(j -> j.status().name()).orElse("active")
                  + "; only COMPLETED, STOPPED or FATAL jobs can be deleted (stop it first)");
    };
  }

  private Response stop(Request r) {
    long id = id(r);
    JobAdmin.StopOutcome outcome = admin.requestStop(id);
    if (outcome == JobAdmin.StopOutcome.NOT_FOUND) {
      throw notFound(id);
    }
    Job job = jobs.find(id).orElseThrow(() -> notFound(id));
    return switch (outcome) {
      case REQUESTED -> Response.accepted(Views.job(job, jobs));
      case STOPPED, ALREADY_STOPPING -> Response.ok(Views.job(job, jobs));
      default ->
          throw ApiException.conflict(
              JOB_CONFLICT,
              "job "
                  + id
                  + " has already finished ("
                  + job.status()
                  + "); there is nothing to stop");
    };
  }

  private Response resume(Request r) {
    long id = id(r);
    JobAdmin.ResumeOutcome outcome = admin.resume(id, workerTimeout);
    if (outcome == JobAdmin.ResumeOutcome.NOT_FOUND) {
      throw notFound(id);
    }
    Job job = jobs.find(id).orElseThrow(() -> notFound(id));
    return switch (outcome) {
      case RESUMED, ALREADY_ACTIVE -> Response.ok(Views.job(job, jobs));
      case OTHER_ACTIVE ->
          throw ApiException.conflict(
              JOB_CONFLICT,
              "job "
                  + id
                  + " cannot resume: another job of "
                  + job.dataset()
                  + " is active (at most one extracts a dataset version); stop that one first");
      default ->
          throw ApiException.conflict(
              JOB_CONFLICT,
              "job " + id + " is " + job.status() + "; only STOPPED or ERROR jobs can be resumed");
    };
  }

  private Response events(Request r) {
    Job job = job(r);
    return Response.ok(
        Map.of(
            "job_id",
            job.id(),
            "events",
            jobs.events(job.id()).stream().map(Views::event).toList()));
  }

  /** The job with its progress ({@link #progressOf}) under {@code progress}. */
  private Response show(Request r) {
    Job job = job(r);
    Map<String, Object> out = new LinkedHashMap<>(Views.job(job, jobs));
    out.put("progress", progressOf(job));
    return Response.ok(out);
  }

  /** Amp's {@code job_id} and {@code job_status}, then {@link #progressOf}. */
  private Response progress(Request r) {
    Job job = job(r);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job_id", job.id());
    out.put("job_status", job.status().name());
    out.putAll(progressOf(job));
    return Response.ok(out);
  }

  /**
   * Committed progress per table with the live figures its worker publishes ({@link
   * ProgressViews}).
   */
  private Map<String, Object> progressOf(Job job) {
    List<TableProgress> tables = files.progressOfJob(job.id());
    return ProgressViews.job(
        tables,
        progress.firstBlocks(tables.stream().map(TableProgress::revisionId).toList()),
        progress.find(job.id()),
        job.status());
  }

  private Job job(Request r) {
    long id = id(r);
    return jobs.find(id).orElseThrow(() -> notFound(id));
  }

  static long id(Request r) {
    String raw = r.param("id");
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        "INVALID_JOB_ID", "invalid job ID: must be a positive integer, got '" + raw + "'");
  }

  private static ApiException notFound(long id) {
    return ApiException.notFound("JOB_NOT_FOUND", "job '" + id + "' not found");
  }

  private static JobStatus status(String raw) {
    try {
      return JobStatus.valueOf(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "INVALID_QUERY_PARAMETERS",
          "unknown job status '"
              + raw
              + "'; active, all, or one or more (separated by commas) of "
              + Arrays.stream(JobStatus.values())
                  .map(Enum::name)
                  .collect(Collectors.joining(", ")));
    }
  }

  private static int limit(String raw) {
    long limit;
    try {
      limit = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit >= 1 && limit <= MAX_LIMIT) {
      return (int) limit;
    }
    // Amp's codes: LIMIT_INVALID for 0, LIMIT_TOO_LARGE above the maximum
    String code =
        limit == 0
            ? "LIMIT_INVALID"
            : limit > MAX_LIMIT ? "LIMIT_TOO_LARGE" : "INVALID_QUERY_PARAMETERS";
    throw ApiException.badRequest(
        code, "limit must be an integer from 1 to " + MAX_LIMIT + ", got '" + raw + "'");
  }
}
