# BM009: a class-based view whose base class (same module) has no trigger in its bodies.
from django.http import HttpResponseRedirect
from django.views import View


class BaseOAuthView(View):
    def dispatch(self, request, *args, **kwargs):
        self.started = True
        return super().dispatch(request, *args, **kwargs)


class CallbackView(BaseOAuthView):
    def get(self, request):
        token = exchange(request.GET["code"])
        return HttpResponseRedirect("/home")


def exchange(value):
    return value
