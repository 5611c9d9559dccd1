import datetime as dt

from data.workdays import add_workdays, is_workday, workdays_late

D = dt.date


def test_wd001_tet_2023_is_not_counted():
    assert add_workdays(D(2023, 1, 19), 1) == D(2023, 1, 27)  # 20-26 January: Tết
    assert workdays_late(D(2023, 1, 19), D(2023, 1, 30)) == 2


def test_wd002_weekends_and_national_day():
    assert add_workdays(D(2023, 1, 6), 1) == D(2023, 1, 9)  # Friday -> Monday
    assert not is_workday(D(2023, 9, 1)) and not is_workday(D(2023, 9, 4))
    assert add_workdays(D(2023, 8, 31), 1) == D(2023, 9, 5)
    assert workdays_late(D(2023, 5, 22), D(2023, 5, 25)) == 3
    assert workdays_late(D(2023, 5, 22), D(2023, 5, 22)) == 0
