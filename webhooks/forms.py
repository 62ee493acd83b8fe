from django import forms

from webhooks.models import DATANET_ONLY_EVENTS, Endpoint, EventType


class EndpointForm(forms.Form):
    url = forms.CharField(label="Payload URL", max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/datanets"}),
                          help_text="Must resolve to a public address. Each POST is signed with the endpoint's secret.")
    description = forms.CharField(max_length=200, required=False)
    scope = forms.ChoiceField(choices=Endpoint.Scope.choices, widget=forms.RadioSelect, initial=Endpoint.Scope.MINE)
    events = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose at least one event."})

    def __init__(self, *args, can_receive_every_event: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_receive_every_event:
            # Only owners receive every event; everyone else registers for their own events.
            self.fields["scope"].widget = forms.HiddenInput()
            self.fields["scope"].initial = Endpoint.Scope.MINE
            self.fields["events"].choices = [c for c in EventType.choices if c[0] not in DATANET_ONLY_EVENTS]
