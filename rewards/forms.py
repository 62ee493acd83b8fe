"""Forms for the model pages. They only shape input; services decide."""

from typing import Any

from django import forms

from rewards import usage_selectors


class AIModelForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    releases = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                              help_text="The ready datanet releases the model was trained on.")
    owner_bps = forms.IntegerField(min_value=0, max_value=10000, initial=2000, label="Model owner (basis points)")
    contributors_bps = forms.IntegerField(min_value=0, max_value=10000, initial=6000,
                                          label="Contributors, split by attribution (basis points)")
    datanet_bps = forms.IntegerField(min_value=0, max_value=10000, initial=1500,
                                     label="Datanet owners and curators (basis points)")
    treasury_bps = forms.IntegerField(min_value=0, max_value=10000, initial=500, label="Treasury (basis points)",
                                      help_text="100 basis points = 1%; the four shares must add up to 10000.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        releases = self.fields["releases"]
        releases.queryset = usage_selectors.releases_trainable_by(user=user).distinct().order_by("datanet__name",
                                                                                                 "-version")
        releases.label_from_instance = lambda r: f"{r.datanet.name} {r.label} ({r.record_count} records)"


class PrepayForm(forms.Form):
    amount = forms.CharField(max_length=80, help_text="Tokens moved from your balance, e.g. 12.5")
