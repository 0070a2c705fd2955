# BM009: FastAPI handlers whose `code` is a parameter: the body decides whether it is required.
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

app = FastAPI()


@app.get("/oauth/callback")
async def callback(code: str | None = None, state: str | None = None):
    if code is None:
        return RedirectResponse("/login")
    return await exchange(code, state)


@app.get("/sso/return")
async def sso_return(code: str, state: str):
    return await exchange(code, state)


async def exchange(value, state):
    return {"value": value, "state": state}
