"""The admin's import page: upload → dry-run report → confirm (editorial.importing)."""

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from editorial.importing import ImportFileError, entries_import

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
IMPORT_PERMISSION = "core.import_entries"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON Lines file"),
        help_text=_("In the shape the exports produce; see docs/import-format.md."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it."))
        if not upload.name.lower().endswith((".csv", ".jsonl", ".ndjson")):
            raise forms.ValidationError(_("Upload a .csv or .jsonl file."))
        return upload


class ImportAdminMixin:
    """Adds an Import page to an entry's change list (the collection `import_collection`)."""

    import_collection = None

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return request.user.has_perm(IMPORT_PERMISSION) and self.has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        if self.has_import_permission(request):
            opts = self.model._meta
            extra_context = {
                "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
                **(extra_context or {}),
            }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _t("Import %(type)s") % {"type": opts.verbose_name_plural},
            "opts": opts,
        }
        form = ImportForm()
        if request.method == "POST" and "token" in request.POST:
            stored = request.session.pop(f"import-{request.POST['token']}", None)
            if stored is None:
                self.message_user(request, _t("That upload has expired; upload it again."))
                return HttpResponseRedirect(request.path)
            report = entries_import(
                collection=self.import_collection,
                name=stored["name"],
                content=stored["content"],
                user=request.user,
                # An entry saved since the dry run refuses the import, naming it.
                seen_versions=stored.get("versions"),
            )
            if report.written:
                self.message_user(
                    request,
                    _t("Imported: %(created)d created, %(updated)d updated, %(same)d unchanged.")
                    % {
                        "created": len(report.created),
                        "updated": len(report.updated),
                        "same": len(report.unchanged),
                    },
                    messages.SUCCESS,
                )
                if report.held:
                    self.message_user(
                        request,
                        _t(
                            "These published entries keep their published version until a "
                            "reviewer publishes the imported change: %(entries)s."
                        )
                        % {"entries": ", ".join(report.held)},
                        messages.WARNING,
                    )
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                )
            context["report"] = report
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                content = upload.read()
                try:
                    report = entries_import(
                        collection=self.import_collection,
                        name=upload.name,
                        content=content,
                        dry_run=True,
                    )
                except ImportFileError as error:
                    form.add_error("file", str(error))
                else:
                    context["report"] = report
                    if report.ok:
                        token = secrets.token_urlsafe(16)
                        request.session[f"import-{token}"] = {
                            "name": upload.name,
                            "content": content.decode("utf-8-sig"),
                            "versions": report.versions,
                        }
                        context["token"] = token
        context["form"] = form
        return TemplateResponse(request, "admin/import.html", context)
