from core.models import AuditEvent


def test_login_and_failed_login_are_logged(client, people):
    client.post("/accounts/login/", {"username": "secretary_a", "password": "wrong"})
    client.post("/accounts/login/", {"username": "secretary_a", "password": "pw"})
    kinds = list(AuditEvent.objects.order_by("at").values_list("kind", "username"))
    assert kinds == [("login_failed", "secretary_a"), ("login", "secretary_a")]


def test_audit_page_is_for_the_office_and_scoped(client, people, tree):
    AuditEvent.objects.create(
        kind="export", actor=people.secretary_a, username="secretary_a", unit=tree.branch_a1
    )
    AuditEvent.objects.create(
        kind="export", actor=people.secretary_b, username="secretary_b", unit=tree.branch_b1
    )
    client.force_login(people.county_office)
    page = client.get("/core/audit/").content.decode()
    assert "secretary_a" in page or people.secretary_a.full_name in page
    assert people.secretary_b.full_name not in page
    client.force_login(people.secretary_a)
    assert client.get("/core/audit/").status_code == 403
    client.logout()
    assert client.get("/core/audit/").status_code == 302


def test_repeated_failed_logins_lock_the_account(client, people, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "secretary_a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "secretary_a", "password": "pw"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_failed_logins_are_shown_to_the_offices_of_the_person_tried(client, people, tree):
    client.post("/accounts/login/", {"username": "secretary_a", "password": "wrong"})
    client.post("/accounts/login/", {"username": "Secretary_B", "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody-at-all", "password": "wrong"})
    assert AuditEvent.objects.filter(kind="login_failed").count() == 3

    def failed_rows(user) -> str:
        client.force_login(user)
        page = client.get("/core/audit/", {"kind": "login_failed"})
        assert page.status_code == 200
        return page.content.decode()

    county_a = failed_rows(people.county_office)
    assert "secretary_a" in county_a
    assert "Secretary_B" not in county_a and "nobody-at-all" not in county_a
    city = failed_rows(people.city_office)
    assert "secretary_a" in city and "Secretary_B" in city and "nobody-at-all" in city
