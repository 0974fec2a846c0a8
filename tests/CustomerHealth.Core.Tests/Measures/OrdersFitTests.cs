using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Tests.Measures;

public class OrdersFitTests
{
    private static AccountData Buyer(int key, params int[] days) =>
        new() { Key = key, AccountId = "C" + key, Orders = days.Select(d => new OrderPoint(d, 10, 0)).ToArray() };

    /// <summary>Twenty customers or more, some buying again: enough to fit.</summary>
    private static List<AccountData> Population(int customers) =>
        Enumerable.Range(1, customers).Select(i => i % 3 == 0 ? Buyer(i, 1, 10 + i, 40 + i) : i % 3 == 1 ? Buyer(i, i) : Buyer(i, 2, 30 + i)).ToList();

    [Fact]
    public void Of_TwentyCustomersWithRepeatPurchases_Fits()
    {
        OrdersFit.Of(Population(20), 200).ShouldNotBeNull();
    }

    [Fact]
    public void Of_NineteenCustomers_IsNull()
    {
        OrdersFit.Of(Population(19), 200).ShouldBeNull();
    }

    [Fact]
    public void Of_CustomersWhoseFirstOrderIsAfterTheDay_DoNotCount()
    {
        var accounts = Population(20);
        accounts[0] = Buyer(1, 300);

        OrdersFit.Of(accounts, 200).ShouldBeNull();
    }

    [Fact]
    public void Of_NobodyBoughtTwice_IsNull()
    {
        OrdersFit.Of(Enumerable.Range(1, 30).Select(i => Buyer(i, i)).ToList(), 200).ShouldBeNull();
    }
}
