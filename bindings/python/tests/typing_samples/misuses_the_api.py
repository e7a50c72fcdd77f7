from cqlbridge.cluster import Cluster
from cqlbridge.cqlengine.models import Model
from cqlbridge.cqlengine import columns
class User(Model):
    name = columns.Text(primary_key=True)
def work() -> None:
    n: str = User.objects.count()
    Cluster(["127.0.0.1"]).connect().execute_async(123)
