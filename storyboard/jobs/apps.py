from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "storyboard.jobs"
    label = "jobs"

    def ready(self):
        from storyboard.jobs.models import FINAL, Job
        from storyboard.library.usage import Use, register

        def unfinished_jobs_using(kind):
            def finder(item):
                # Few jobs are unfinished at any time; their slots are small JSON objects.
                for job in Job.objects.filter(team=item.team_id).exclude(state__in=FINAL):
                    if any(source.get(kind) == item.pk for source in job.slot_sources.values()):
                        yield Use("job", f"job {job.short_id} (still running)",
                                  f"/jobs/{job.pk}/")
            return finder

        register("image")(unfinished_jobs_using("image"))
        register("video")(unfinished_jobs_using("video"))
